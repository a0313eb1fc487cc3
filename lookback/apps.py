from django.apps import AppConfig


class LookbackConfig(AppConfig):
    name = "lookback"
    verbose_name = "回头看与抽查审核"
    menu_group = "回头看与审核"
    menu = [
        ("回头看", "lookback:campaign_list", None, None),
        ("抽查审核", "lookback:audit_list", "lookback.AuditRound", "browse"),
        ("评审机构履职", "lookback:performance", "reviews.ReviewAgency", "performance"),
    ]
