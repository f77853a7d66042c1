"""Sealing a PDF: the organization's PAdES signature with a visible seal and timestamps.

:func:`seal_pdf` appends one incremental update to the PDF (the bytes before it, a PDF/A from
WeasyPrint, stay as they were) holding a certification signature (DocMDP: no changes allowed
afterwards) of the organization's key, in a signature field on the last page whose appearance
is the seal (:mod:`accord.trust.appearance`), with an RFC 3161 signature timestamp from
``ACCORD_TSA_URL`` (PAdES B-T). Where the validation data is at hand (demo mode: the
development CA's CRL; production: fetched from the certificates' own URLs) it is embedded in
the document security store and covered by a document timestamp (PAdES B-LTA); otherwise the
seal stays B-T. The result is validated before it is returned: a seal that would not validate
is never handed out.
"""

from __future__ import annotations

import io
import logging
import tempfile
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from accord.trust.appearance import appearance_pdf
from accord.trust.errors import SealUnavailable, TsaError
from accord.trust.signers import seal_signer
from accord.trust.tsa import AccordTimeStamper, tsa_configured
from accord.trust.validate import validate_pdf, validation_context

logger = logging.getLogger(__name__)

SEAL_FIELD = "AccordSeal"
# Points (1/72 in): about 64 x 32 mm, right-aligned above the bottom margin of the page.
SEAL_WIDTH, SEAL_HEIGHT = 180, 90
SEAL_MARGIN_X, SEAL_MARGIN_Y = 56, 56

Box = tuple[int, int, int, int]


def default_box(reader: PdfFileReader, page: int) -> Box:
    """The seal's place: the lower right corner of ``page`` inside a 2 cm margin."""
    node = reader.find_page_for_modification(page)[0].get_object()
    # The MediaBox may be inherited from a parent /Pages node; A4 if none says.
    while "/MediaBox" not in node and "/Parent" in node:
        node = node["/Parent"].get_object()
    _x1, y1, x2, _y2 = (float(v) for v in node.get("/MediaBox", (0, 0, 595, 842)))
    right = int(x2 - SEAL_MARGIN_X)
    bottom = int(y1 + SEAL_MARGIN_Y)
    return (right - SEAL_WIDTH, bottom, right, bottom + SEAL_HEIGHT)


def _sign(
    writer: IncrementalPdfFileWriter,
    *,
    signer: signers.Signer,
    stamp_pdf: Path,
    field_spec: fields.SigFieldSpec,
    organization_name: str,
    reason: str,
    location: str,
    lta: bool,
) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=organization_name,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        embed_validation_info=lta,
        use_pades_lta=lta,
        validation_context=validation_context() if lta else None,
    )
    style = StaticStampStyle.from_pdf_file(
        str(stamp_pdf),
        border_width=0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins.uniform(0),
        ),
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=AccordTimeStamper(),
        stamp_style=style,
        new_field_spec=field_spec,
    )
    output = pdf_signer.sign_pdf(writer)
    return bytes(output.getbuffer())


def seal_pdf(
    pdf: bytes,
    *,
    organization_id: int,
    organization_name: str,
    reason: str,
    location: str = "",
    page: int = -1,
    box: Box | None = None,
) -> bytes:
    """The PDF sealed by the organization (PAdES B-T at least, B-LTA where possible).

    ``page`` is the page index of the visible seal (default: the last page), ``box`` its
    rectangle in PDF points from the lower left corner (default: :func:`default_box`).
    Raises :class:`SealUnavailable` when no certificate or TSA is configured or reachable, or
    when the sealed PDF would not validate; ``ValueError`` for a PDF that cannot be read or
    is signed already."""
    if not tsa_configured():
        raise SealUnavailable("no timestamp authority is configured (ACCORD_TSA_URL)")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.embedded_signatures:
            raise ValueError("the PDF is signed already")
        page_count = int(reader.root["/Pages"]["/Count"])
    except (PdfError, KeyError) as exc:
        raise ValueError(f"not a PDF that can be sealed: {exc}") from exc
    page_index = page % page_count
    field_spec = fields.SigFieldSpec(
        sig_field_name=SEAL_FIELD,
        on_page=page_index,
        box=box or default_box(reader, page_index),
    )
    width = field_spec.box[2] - field_spec.box[0] if field_spec.box else SEAL_WIDTH
    height = field_spec.box[3] - field_spec.box[1] if field_spec.box else SEAL_HEIGHT
    with (
        tempfile.TemporaryDirectory(prefix="accord-seal-") as tmp,
        seal_signer(organization_id=organization_id, organization_name=organization_name) as signer,
    ):
        stamp_pdf = Path(tmp) / "seal.pdf"
        stamp_pdf.write_bytes(
            appearance_pdf(organization_name=organization_name, width_pt=width, height_pt=height)
        )
        sealed = None
        for lta in (True, False):
            try:
                sealed = _sign(
                    IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False),
                    signer=signer,
                    stamp_pdf=stamp_pdf,
                    field_spec=field_spec,
                    organization_name=organization_name,
                    reason=reason,
                    location=location,
                    lta=lta,
                )
                break
            except TsaError as exc:
                raise SealUnavailable(f"no timestamp for the seal: {exc}") from exc
            except (SigningError, PathBuildingError, PathValidationError) as exc:
                if not lta:
                    raise SealUnavailable(f"the seal cannot be applied: {exc}") from exc
                logger.warning(
                    "seal of organization %s: no validation data at hand (%s); PAdES B-T only",
                    organization_id,
                    exc,
                )
    assert sealed is not None
    report = validate_pdf(sealed)
    if not report.ok:
        raise SealUnavailable(f"the sealed PDF would not validate: {report.summary}")
    return sealed
