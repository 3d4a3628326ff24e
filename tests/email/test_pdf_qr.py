"""The ticket PDF's QR code: the rectangles drawn are exactly the code's dark
modules (runs of them merged), inside a four-module quiet zone."""

from __future__ import annotations

import segno

from boxoffice.email.pdf import _qr


class Recorder:
    """The part of a reportlab canvas `_qr` uses, keeping the rectangles."""

    def __init__(self) -> None:
        self.rects: list[tuple[float, float, float, float]] = []
        self.filled = False

    def beginPath(self) -> Recorder:  # noqa: N802 - reportlab's name
        return self

    def rect(self, x: float, y: float, width: float, height: float) -> None:
        self.rects.append((x, y, width, height))

    def drawPath(self, path: Recorder, stroke: int, fill: int) -> None:  # noqa: N802 - reportlab's name
        self.filled = path is self and fill == 1 and stroke == 0


def test_the_drawn_modules_are_the_codes_dark_modules() -> None:
    code = "TKT-7Q2M-XK9P-4HRB"
    canvas = Recorder()
    _qr(canvas, code, x=10, y=20, size=100)  # type: ignore[arg-type]
    expected = [list(row) for row in segno.make_qr(code, error="m", boost_error=False).matrix_iter(border=4)]
    n = len(expected)
    cell = 100 / n
    drawn = [[False] * n for _ in range(n)]
    for x, y, width, height in canvas.rects:
        assert abs(height - cell) < 1e-9
        row = round((20 + 100 - y) / cell) - 1
        first, count = round((x - 10) / cell), round(width / cell)
        for column in range(first, first + count):
            assert not drawn[row][column]  # no module is drawn twice
            drawn[row][column] = True
    assert drawn == [[bool(m) for m in row] for row in expected]
    assert canvas.filled
    assert not any(drawn[0]) and not any(row[0] for row in drawn)  # the quiet zone
    assert len(canvas.rects) < sum(map(sum, drawn))  # runs are merged
