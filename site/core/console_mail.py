"""Development e-mail backend: prints each message readably to the console.

Django's console backend prints the raw MIME message, where a Japanese subject or name reads
`=?utf-8?b?...?=` and a body may be base64. This one prints the headers people read (From, To,
Cc, Reply-To, Subject) as text, then the plain-text body, and names any HTML version and
attachments. The outbox screen (Outgoing e-mails) shows the same messages in the admin.
"""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleEmailBackend(EmailBackend):
    def write_message(self, message):
        message.message()  # builds the MIME message: a bad header fails here as it would in SMTP
        headers = {
            "From": message.extra_headers.get("From", message.from_email),
            "To": ", ".join(message.to),
            "Cc": ", ".join(message.cc),
            "Reply-To": ", ".join(message.reply_to),
            "Subject": message.subject,
        }
        lines = [f"{name}: {value}" for name, value in headers.items() if value]
        lines += ["", message.body.rstrip("\n"), ""]
        for _content, mimetype in getattr(message, "alternatives", []):
            lines.append(f"[+ {mimetype} version]")
        for attachment in message.attachments:
            name = attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
            lines.append(f"[attachment: {name}]")
        self.stream.write("\n".join(lines).rstrip("\n") + "\n")
        self.stream.write("-" * 79 + "\n")
