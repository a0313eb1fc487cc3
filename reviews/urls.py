"""The reviews app's URLs, one list per part of the workflow (see urls_*.py)."""

from . import urls_agencies, urls_announcements, urls_assessment, urls_review

app_name = "reviews"
urlpatterns = [
    *urls_assessment.urlpatterns,
    *urls_review.urlpatterns,
    *urls_announcements.urlpatterns,
    *urls_agencies.urlpatterns,
]
