"""Server-rendered pages for fans and organisers (Jinja2, a little plain JS)."""
