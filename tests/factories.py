"""Factories shared by every app's tests: users, organizations, memberships."""

from __future__ import annotations

import factory

from accord.accounts.models import User
from accord.orgs.models import MediationRules, Membership, Organization, OrgKind, Role


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("correct horse battery staple")


class ApplicantFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    # Pseudonymous, as applicant_get_or_create makes them: never the phone number.
    username = factory.Sequence(lambda n: f"applicant-{n:06d}")
    # "!" prefixes an unusable password (applicants sign in with a phone code).
    password = "!unusable"

    @factory.post_generation
    def applicant_role(self, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(user=self, organization=None, role=Role.APPLICANT)


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    kind = OrgKind.FINANCIAL_MEDIATION
    code = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.Sequence(lambda n: f"测试组织{n}")


class MediationOrgFactory(OrganizationFactory):
    class Meta:
        skip_postgeneration_save = True

    kind = OrgKind.FINANCIAL_MEDIATION
    code = factory.Sequence(lambda n: f"MED{n}")

    @factory.post_generation
    def rules(self, create, extracted, **kwargs):
        if create:
            MediationRules.objects.get_or_create(organization=self)


class InstitutionFactory(OrganizationFactory):
    kind = OrgKind.FINANCIAL_INSTITUTION
    code = factory.Sequence(lambda n: f"BANK{n}")
    sector = "bank"


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(MediationOrgFactory)
    role = Role.MEDIATOR
