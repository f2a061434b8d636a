from localstandards.core import thaidate


def site(request) -> dict:
    return {"thai_digits_on": thaidate.use_thai_digits()}
