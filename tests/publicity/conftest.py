# ruff: noqa: F401, F811  (pytest fixtures are imported, then used as parameters)
"""The publicity tests reuse the case tests' cast (alice applies against BANK, ada
administers FMC, mia mediates, charlie administers another organization) and add a closed
case whose texts name people and carry identifiers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accord.accounts.models import User
from accord.cases import services
from accord.cases.models import Case, CaseState
from accord.publicity.models import TypicalCase
from accord.publicity.services.typical import TypicalTexts, typical_case_draft
from tests.cases.conftest import (
    _english,
    ada,
    alice,
    application,
    bank,
    case,
    charlie,
    drive,
    evidence_bucket,
    mia,
    org,
    other_org,
)

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
DESCRIPTION = (
    f"申请人张三丰（身份证号{ID_NUMBER}，手机{PHONE}）购买了银行的理财产品，"
    "风险等级与宣传不符，客户经理李四光承诺保本。"
)


@pytest.fixture
def closed_case(alice, application, drive) -> Case:
    made = services.case_apply(
        applicant=alice,
        application=application(
            applicant_name="张三丰",
            description=DESCRIPTION,
            claims=f"赔偿本金损失，联系电话{PHONE}",
        ),
    )
    return drive(made, CaseState.CLOSED)


@pytest.fixture
def draft(closed_case, ada) -> TypicalCase:
    return typical_case_draft(case=closed_case, user=ada)


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def clean_texts(**overrides: str) -> TypicalTexts:
    values = {
        "title": "理财产品风险等级不符纠纷",
        "facts": "申请人张某购买了银行的理财产品，风险等级与宣传不符，客户经理承诺保本。",
        "claims": "赔偿本金损失",
        "course": "经调解，双方达成协议。",
        "lessons": "金融机构应当如实披露产品风险等级。",
        "judgment_facts": "",
        "judgment_standard": "",
    }
    values.update(overrides)
    return TypicalTexts(**values)


def review_post(texts: TypicalTexts, *, action: str, reviewed: bool) -> dict[str, str]:
    data = dict(texts.items())
    data["action"] = action
    if reviewed:
        data["reviewed"] = "on"
    return data


Publish = Callable[[TypicalCase], TypicalCase]
