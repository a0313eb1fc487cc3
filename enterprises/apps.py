from django.apps import AppConfig

from portal.roles import Role


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = "企业名录"
    menu_group = "企业管理"
    menu = [
        ("企业名录", "enterprises:list", (Role.CITY, Role.COUNTY, Role.ADMIN, Role.AGENCY)),
        ("创建名单", "enterprises:creation_list", (Role.CITY, Role.COUNTY, Role.ADMIN)),
        ("企业导入", "enterprises:import", (Role.COUNTY, Role.ADMIN)),
        ("本企业", "enterprises:mine", (Role.ENTERPRISE,)),
    ]
