"""Uploads are refused before they are received in full when the request is larger than the largest file any form
takes (settings.MAX_UPLOAD_REQUEST_BYTES): the handler stops reading as soon as the file part starts when the
declared length is too large, and while reading when a request without a length (chunked) grows past it. The view
then sees no file and says so (`upload_refused(request)`), instead of the server buffering hundreds of megabytes."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

_FLAG = "_upload_refused"


class RequestSizeLimitHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: stops the upload of an oversized request before the file is stored."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        self.declared_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Only noted here: the form's fields before the file (the CSRF token first) are still read, so the view can
        # answer with a message; the file itself is refused as soon as it starts (new_file).
        self.declared_too_large = bool(content_length and content_length > settings.MAX_UPLOAD_REQUEST_BYTES)
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.declared_too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_REQUEST_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self):
        if self.request is not None:
            setattr(self.request, _FLAG, True)
        raise StopUpload(connection_reset=True)


def upload_refused(request) -> bool:
    """Whether this request's upload was stopped for its size (the view's form then has no file)."""
    return bool(getattr(request, _FLAG, False))
