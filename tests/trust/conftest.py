"""Trust tests: a WeasyPrint PDF/A to seal, the run's development PKI (ACCORD_PKI_DIR, demo
mode as `make test` runs) and the session's development TSA (the `tsa` fixture)."""

from __future__ import annotations

import pytest
from weasyprint import HTML

from accord.trust.pki import DevPki, ensure_dev_pki

ORG_ID = 9001
ORG_NAME = "深圳前海金融纠纷调解中心"

AGREEMENT_HTML = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<style>body { font-family: "Noto Serif CJK SC", serif; }</style></head><body>
<h1>调解协议书</h1>
<p>申请人：张三　被申请人：某某银行股份有限公司</p>
<p>被申请人于2026年12月31日前向申请人支付人民币壹万贰仟叁佰肆拾伍元整（12345.00元）。</p>
</body></html>"""


def render_pdf(html: str = AGREEMENT_HTML) -> bytes:
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")
    return pdf


@pytest.fixture(scope="session")
def agreement_pdf() -> bytes:
    return render_pdf()


@pytest.fixture
def pki() -> DevPki:
    return ensure_dev_pki()
