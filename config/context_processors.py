from django.conf import settings


def environment(request):
    """Lets the admin templates show a sandbox banner."""
    return {"sandbox": settings.SANDBOX}
