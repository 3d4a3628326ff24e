"""/mail: the local mail catcher's inbox, for the demo and development.

Only while mail goes to the embedded catcher (BOXOFFICE_SMTP_URL unset) and
never in production: it shows everyone's mail.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from boxoffice.email.catcher import MailFolder
from boxoffice.errors import NotFound
from boxoffice.pages.base import PageDep

router = APIRouter(prefix="/mail", include_in_schema=False)


def _folder(page: PageDep) -> MailFolder:
    catcher = page.container.mailer.catcher
    if catcher is None or page.container.settings.env == "production":
        raise NotFound("The mail catcher is off: mail goes to BOXOFFICE_SMTP_URL.")
    return MailFolder(catcher.folder)


@router.get("")
async def inbox(page: PageDep) -> Response:
    return page.render("mail.html", mails=_folder(page).all())


@router.get("/{name}")
async def one(name: str, page: PageDep) -> Response:
    mail = _folder(page).get(name)
    if mail is None:
        raise NotFound("No such mail.")
    return page.render("mail_one.html", mail=mail, attachments=mail.attachments())


@router.get("/{name}/{index}")
async def attachment(name: str, index: int, page: PageDep) -> Response:
    mail = _folder(page).get(name)
    files = mail.attachments() if mail else []
    if not 0 <= index < len(files):
        raise NotFound("No such attachment.")
    filename, content_type, content = files[index]
    return Response(
        content, media_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip
