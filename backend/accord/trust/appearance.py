"""The visible seal: a small PDF page rendered with WeasyPrint, shown in the signature field.

pyHanko draws a stamp's own text with a font engine that needs HarfBuzz bindings this project
does not install; WeasyPrint already renders the documents with Noto CJK through fontconfig,
so the seal's appearance is a one-page PDF of its own (organization name, 电子印章, the time)
that pyHanko imports as the field's appearance.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from django.utils import timezone
from weasyprint import HTML

SEAL_RED = "#c8102e"
# Noto CJK is what the documents use (installed by `make up` / `make test`). One face only:
# each embedded CJK face costs about 80 kB, whatever few glyphs it holds.
FONTS = '"Noto Serif CJK SC", "Noto Sans CJK SC", serif'


def appearance_pdf(
    *, organization_name: str, width_pt: float, height_pt: float, moment: datetime | None = None
) -> bytes:
    """A page of ``width_pt`` x ``height_pt`` showing the seal of ``organization_name``."""
    local = timezone.localtime(moment or timezone.now())
    offset = local.strftime("%z")
    when = f"{local:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}"
    name_size = 13 if len(organization_name) <= 12 else 10
    html = f"""<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><style>
@page {{ size: {width_pt}pt {height_pt}pt; margin: 0; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: {FONTS}; color: {SEAL_RED}; }}
.seal {{
  box-sizing: border-box; width: {width_pt}pt; height: {height_pt}pt;
  border: 2.5pt solid {SEAL_RED}; border-radius: 6pt; padding: 4pt 6pt;
  display: flex; flex-direction: column; justify-content: center; text-align: center;
}}
.name {{ font-size: {name_size}pt; font-weight: bold; line-height: 1.2; }}
.kind {{ font-size: 8pt; margin-top: 3pt; letter-spacing: 0.5pt; }}
.when {{ font-size: 6.5pt; margin-top: 2pt; }}
.name, .kind, .when {{ font-weight: bold; }}
</style></head><body><div class="seal">
<div class="name">{escape(organization_name)}</div>
<div class="kind">电子印章 · Electronic seal</div>
<div class="when">{escape(when)}</div>
</div></body></html>"""
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
