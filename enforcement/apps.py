from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = "执法推进"
    menu_group = "执法推进"
    menu = [
        ("拒不创建企业", "enforcement:refuser_list", "enforcement.Refusal", "list"),
        ("执法案件", "enforcement:case_list", "enforcement.Case", "list"),
        ("违法行为及处罚依据", "enforcement:basis_list", "enforcement.LegalBasis", "list"),
    ]
