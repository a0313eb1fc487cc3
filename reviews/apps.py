from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "评审管理"
    menu_group = "评审管理"
    menu = [
        ("自评", "reviews:assessment_list", "reviews.SelfAssessment", "start"),
        ("评审任务", "reviews:agency_home", "reviews.Review", "task_list"),
        ("评审申请", "reviews:applications", "reviews.Review", "application_queue"),
        ("复审", "reviews:re_review_queue", "reviews.Review", "re_review_queue"),
        ("申请评审", "reviews:apply", "reviews.Review", "apply_page"),
        ("公告", "reviews:announcement_list", "reviews.Announcement", "list"),
    ]
