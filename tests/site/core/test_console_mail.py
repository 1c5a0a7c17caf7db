"""The development console mail backend prints Japanese headers and bodies readably."""

import io
import os
import subprocess
import sys
from pathlib import Path

from django.core.mail import EmailMultiAlternatives

from ouendan.core.console_mail import ReadableConsoleEmailBackend

ROOT = Path(__file__).resolve().parents[3]


def test_headers_and_body_are_printed_decoded():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="ご寄付ありがとうございます【さくら野】",
        body="山田 花子 様\n\n¥3,000 のご寄付をいただきました。\n",
        from_email="さくら野 応援団 <noreply@example.jp>",
        to=["山田 花子 <hanako@example.jp>"],
        reply_to=["office@example.jp"],
    )
    message.attach_alternative("<p>山田 花子 様</p>", "text/html")
    message.attach("receipt.pdf", b"%PDF-1.4", "application/pdf")
    assert ReadableConsoleEmailBackend(stream=stream).send_messages([message]) == 1
    out = stream.getvalue()
    assert "Subject: ご寄付ありがとうございます【さくら野】" in out
    assert "From: さくら野 応援団 <noreply@example.jp>" in out
    assert "To: 山田 花子 <hanako@example.jp>" in out
    assert "Reply-To: office@example.jp" in out
    assert "¥3,000 のご寄付をいただきました。" in out
    assert "[+ text/html version]" in out and "[attachment: receipt.pdf]" in out
    assert "=?utf-8?" not in out and "Content-Transfer-Encoding" not in out


def test_development_settings_use_it_without_email_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="ouendan.settings.dev", OUENDAN_DATA_DIR=str(tmp_path))
    code = "import django; from django.conf import settings; print(settings.EMAIL_BACKEND)"
    backend = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert backend == "ouendan.core.console_mail.ReadableConsoleEmailBackend"
    env["EMAIL_URL"] = "smtp://127.0.0.1:25"
    backend = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
