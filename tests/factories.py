import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from portal import roles


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            roles.sync_roles()
            self.groups.add(Group.objects.get(name=extracted))


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.Asset"

    canto_id = factory.Sequence(lambda n: f"asset{n:021d}")
    scheme = "document"
    name = factory.Sequence(lambda n: f"Product sheet {n}.pdf")
    version_no = 1
    md5 = factory.Faker("md5")
    approval_status = "Approved"
    category = "Product sheet"
    language = "en"
    region = "EMEA"
    tags = factory.LazyFunction(list)
    tag_index = ""
    content_hash = factory.Faker("sha256")
    last_seen_at = factory.LazyFunction(timezone.now)
    canto_modified = factory.LazyFunction(timezone.now)
