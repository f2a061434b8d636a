"""The provider's claims (imported by django-oauth-toolkit once the apps are loaded)."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    """The claims a government digital-ID provider sends: the e-mail address and that it was verified."""

    oidc_claim_scope = None  # every claim below, whatever the scope

    def get_additional_claims(self, request):
        return {
            "email": request.user.email,
            "email_verified": True,
            "name": request.user.get_full_name(),
        }
