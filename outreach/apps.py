from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "宣传推进"
    menu_group = "宣传推进"
    menu = [
        ("推进活动", "outreach:event_list", "outreach.OutreachEvent", "list"),
        ("定期调度", "outreach:dispatch_list", "outreach.DispatchMeeting", "list"),
    ]
