from django.urls import path

from . import views_draws as draws
from . import views_signals as signals

app_name = "integrity"
urlpatterns = [
    path("draws/", draws.draw_list, name="draw_list"),
    path("draws/freeze/", draws.draw_freeze, name="draw_freeze"),
    path("draws/<int:pk>/", draws.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/draw/", draws.draw_perform, name="draw_perform"),
    path("draws/<int:pk>/redraw/", draws.draw_redraw, name="draw_redraw"),
    path("draws/<int:pk>/publish/", draws.draw_publish, name="draw_publish"),
    path("spot-checks/<int:pk>/experts/", draws.experts_freeze, name="experts_freeze"),
    path("signals/", signals.signal_list, name="signal_list"),
    path("signals/export.xlsx", signals.signal_export, name="signal_export"),
    path("signals/compute/", signals.signals_compute, name="signals_compute"),
    path("signals/<int:pk>/", signals.signal_detail, name="signal_detail"),
    path("signals/<int:pk>/decide/", signals.signal_decide, name="signal_decide"),
    path("settings/", signals.settings_page, name="settings"),
    path("candidates/", signals.candidate_list, name="candidate_list"),
    path("candidates/<int:pk>/", signals.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/decide/", signals.candidate_decide, name="candidate_decide"),
    # public, no login
    path("public/draws/", draws.public_draws, name="public_draws"),
    path("public/draws/<str:number>/", draws.public_draw, name="public_draw"),
    path("public/draws/<str:number>/record.json", draws.public_draw_json, name="public_draw_json"),
    path("public/verify_draw.py", draws.verify_script, name="verify_script"),
    path("public/spot-check-results/", draws.public_results, name="public_results"),
]
