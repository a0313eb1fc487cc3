"""Self-assessment URLs (自评)."""

urlpatterns: list = []
