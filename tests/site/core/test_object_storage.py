"""Uploads and private files in an S3-compatible bucket (moto's server on loopback): receipts and
member lists live under the private prefix, are streamed by the permission-checked views, deleted
after use, and any URL the storage makes for them is signed and short-lived."""

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from donations.receipts.services import receipt_issue_for_donation, receipt_pdf_ensure
from members.imports import member_import_create, member_import_run, member_import_validate
from members.models import MemberImport, Supporter
from ouendan.core.object_storage import object_storages
from ouendan.core.storage import is_local, private_storage
from tests.donations.receipts.factories import donor, gift, pdf_text
from tests.object_store import CREDENTIALS, new_bucket, storages_for

pytestmark = pytest.mark.django_db


def bucket_keys(endpoint: str, bucket: str) -> set[str]:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def test_without_a_bucket_files_stay_on_the_local_disk(settings):
    assert is_local(private_storage()) and is_local(default_storage)
    assert "AWS_STORAGE_BUCKET_NAME" not in str(settings.STORAGES)


def test_a_bucket_setting_selects_the_object_storage_for_uploads_and_private_files():
    stores = object_storages(bucket="b", endpoint_url="https://s3.example.jp", **CREDENTIALS)
    assert stores["private"]["OPTIONS"]["location"] == "private"
    assert stores["private"]["OPTIONS"]["querystring_expire"] == 300
    assert stores["default"]["OPTIONS"]["location"] == "media"


def test_a_receipt_lives_in_the_private_prefix_and_downloads_through_the_view(
    object_storage, moto_server, client, admin_client
):
    receipt, _created = receipt_issue_for_donation(donation=gift(donor(), 5000))
    receipt = receipt_pdf_ensure(receipt=receipt)
    assert not is_local(receipt.pdf.storage)
    assert f"private/{receipt.pdf.name}" in bucket_keys(moto_server, object_storage)

    response = admin_client.get(f"/admin/receipt-tools/{receipt.pk}/pdf/")
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and receipt.number in pdf_text(receipt)
    assert "no-store" in response["Cache-Control"]
    # Anyone else: no file (the staff view sends them to the login page).
    assert client.get(f"/admin/receipt-tools/{receipt.pk}/pdf/").status_code == 302

    # A URL the storage makes is signed and expires within minutes.
    query = parse_qs(urlsplit(receipt.pdf.url).query)
    assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query


def test_an_uploaded_member_list_is_in_the_bucket_until_imported(object_storage, moto_server):
    member_import = member_import_create(
        upload=SimpleUploadedFile("members.csv", "姓,セイ\r\n山田,ヤマダ\r\n".encode()), user=None
    )
    member_import = member_import_validate(member_import_id=member_import.pk)
    key = f"private/{member_import.file.name}"
    assert key in bucket_keys(moto_server, object_storage)
    member_import = member_import_run(member_import_id=member_import.pk)
    assert member_import.status == MemberImport.Status.DONE
    assert Supporter.objects.count() == 1
    assert key not in bucket_keys(moto_server, object_storage)  # deleted after use


def test_uploaded_media_are_streamed_from_the_bucket_with_the_media_headers(
    object_storage, moto_server, client
):
    name = default_storage.save("documents/note.txt", ContentFile(b"hello"))
    assert f"media/{name}" in bucket_keys(moto_server, object_storage)
    assert default_storage.url(name) == f"/media/{name}"  # same origin, never a bucket URL
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"
    assert response["Content-Disposition"] == "attachment"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert client.get("/media/documents/missing.txt").status_code == 404
    assert client.get("/media/../private/x").status_code == 404


def test_the_file_fields_follow_a_change_of_storage_settings(moto_server):
    field_storage = MemberImport._meta.get_field("file").storage  # made when the models loaded
    bucket = new_bucket(moto_server)
    with override_settings(STORAGES=storages_for(moto_server, bucket)):
        assert not is_local(field_storage)
    assert is_local(field_storage)
