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
        ("评审机构", "reviews:agency_list", "reviews.ReviewAgency", "browse"),
        ("本机构", "reviews:agency_mine", "reviews.ReviewAgency", "mine"),
        ("机构变更审核", "reviews:change_list", "reviews.AgencyChangeRequest", "review_queue"),
        ("待重新委派", "reviews:reassign_list", "reviews.Review", "reassign_list"),
        ("评定标准", "reviews:standard_list", "reviews.ScoringStandard", "browse"),
        ("评审设置", "reviews:settings", "reviews.ReviewSettings", "view"),
    ]
