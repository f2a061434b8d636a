"""factory_boy factories shared by every test package."""

import factory

from localstandards.accounts.models import RoleMembership, User
from localstandards.registry.models import District, LocalGovernment, LocalGovernmentType, Province, Region


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{70 + n % 27:02d}")
    name_th = factory.Sequence(lambda n: f"จังหวัดทดสอบ{n}")
    name_en = factory.Sequence(lambda n: f"Test Province {n}")
    region = Region.CENTRAL


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    province = factory.SubFactory(ProvinceFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.province.code}{n % 100:02d}")
    name_th = factory.Sequence(lambda n: f"อำเภอทดสอบ{n}")
    name_en = factory.Sequence(lambda n: f"Test District {n}")


class LocalGovernmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalGovernment

    district = factory.SubFactory(DistrictFactory)
    province = factory.SelfAttribute("district.province")
    type = LocalGovernmentType.SAO
    dla_code = factory.LazyAttributeSequence(lambda o, n: f"6{o.district.code}{n % 100:02d}")
    name_th = factory.Sequence(lambda n: f"ทดสอบ{n}")
    full_name_th = factory.LazyAttribute(lambda o: f"องค์การบริหารส่วนตำบล{o.name_th}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "ทดสอบ"
    last_name = factory.Sequence(lambda n: f"ผู้ใช้{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleMembership

    user = factory.SubFactory(UserFactory)
