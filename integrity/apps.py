from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = "诚信监督"
    menu_group = "诚信监督"
    menu = [
        ("诚信预警", "integrity:signal_list", "integrity.Signal", "view"),
        ("撤销候选", "integrity:candidate_list", "integrity.RevocationCandidate", "view"),
        ("随机抽取（双随机一公开）", "integrity:draw_list", "integrity.Draw", "manage"),
        ("诚信预警设置", "integrity:settings", "integrity.IntegritySettings", "view"),
    ]
