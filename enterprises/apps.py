from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = "企业名录"
    menu_group = "企业管理"
    menu = [
        ("企业名录", "enterprises:list", "enterprises.Enterprise", "list"),
        ("创建名单", "enterprises:creation_list", "enterprises.CreationListEntry", "list"),
        ("企业导入", "enterprises:import", "enterprises.Enterprise", "import"),
        ("本企业", "enterprises:mine", "enterprises.Enterprise", "mine"),
    ]
