"""Certificates, revocation and announcement URLs (公告)."""

urlpatterns: list = []
