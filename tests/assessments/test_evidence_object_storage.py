"""Evidence on S3-compatible object storage (S3_BUCKET, django-storages): upload, scoped download and removal
through the real views, against a local S3 server (moto's server mode on 127.0.0.1, a free port)."""

from __future__ import annotations

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from localstandards.assessments import services
from localstandards.assessments.models import Evidence
from tests.assessments import factories
from tests.assessments.factories import RATIO
from tests.test_settings import settings_with

pytestmark = pytest.mark.django_db

BUCKET = "evidence-test"
KEYS = {"access_key": "test-key", "secret_key": "test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """A local S3 server for this file; port 0 lets the system pick a free one (two xdist workers may run it)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """An empty private bucket, and the settings that S3_BUCKET / S3_ENDPOINT_URL / S3_*KEY* give (config/settings)."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **_boto_keys())
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_settings_options(),
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                **KEYS,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _boto_keys() -> dict[str, str]:
    return {"aws_access_key_id": KEYS["access_key"], "aws_secret_access_key": KEYS["secret_key"]}


def _settings_options() -> dict:
    """The storage options config/settings.py builds from S3_BUCKET, so the test follows the real settings."""
    return dict(settings_with(S3_BUCKET=BUCKET).STORAGES["default"]["OPTIONS"])


def _keys_in(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_evidence_goes_to_the_bucket_comes_back_through_the_scoped_view_and_is_removed(
    assessment, users, client_for, bucket, media_in_tmp
):
    data = factories.pdf_bytes()
    indicator = factories.indicator(assessment.framework, RATIO)
    staff = client_for(users.staff)

    upload = staff.post(
        reverse("assessments:upload-evidence", args=[assessment.pk, indicator.pk]),
        {"file": factories.pdf_upload("แผนงาน.pdf")},
    )
    assert upload.status_code == 302
    evidence = Evidence.objects.unscoped().get(assessment=assessment)
    assert _keys_in(bucket) == [evidence.file.name]
    assert bucket.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read() == data
    assert not any(media_in_tmp.iterdir())  # nothing written to MEDIA_ROOT on the app server's disk

    url = reverse("assessments:download-evidence", args=[assessment.pk, evidence.pk])
    download = client_for(users.district_officer).get(url)
    assert download.status_code == 200  # streamed by the app, not a redirect to the bucket
    assert b"".join(download.streaming_content) == data
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert client_for(users.outsider_staff).get(url).status_code == 404

    removal = staff.post(reverse("assessments:remove-evidence", args=[assessment.pk, evidence.pk]))
    assert removal.status_code == 302
    assert not Evidence.objects.unscoped().filter(pk=evidence.pk).exists()
    assert staff.get(url).status_code == 404
    # As on disk, the stored object stays: the removal's history row still points at it.
    assert _keys_in(bucket) == [evidence.file.name]


def test_the_bucket_objects_are_private_and_any_link_is_signed_and_short_lived(assessment, users, bucket):
    indicator = factories.indicator(assessment.framework, RATIO)
    evidence = services.attach_evidence(assessment, indicator, users.staff, factories.pdf_upload())
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=evidence.file.name)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants), grants  # no AllUsers / AuthenticatedUsers
    link = evidence.file.url
    assert "X-Amz-Signature=" in link and "X-Amz-Expires=60" in link


def test_a_record_whose_object_is_gone_answers_404_not_500(assessment, users, client_for, bucket):
    indicator = factories.indicator(assessment.framework, RATIO)
    evidence = services.attach_evidence(assessment, indicator, users.staff, factories.pdf_upload())
    bucket.delete_object(Bucket=BUCKET, Key=evidence.file.name)
    url = reverse("assessments:download-evidence", args=[assessment.pk, evidence.pk])
    assert client_for(users.staff).get(url).status_code == 404
