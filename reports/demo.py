"""Demo logins, one per role. Other apps' demo data lives in their own demo.py."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from enterprises.demo import demo_enterprise
from enterprises.models import County
from portal.roles import Role
from reviews.models import ReviewAgency

DEMO_PASSWORD = "Yantai-2016-demo"

# username, full name, role, and what the login is bound to
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN),
    ("city", "王宏杰（市局工商贸科）", Role.CITY),
    ("county", "芝罘区安监局 刘敏", Role.COUNTY),
    ("enterprise", "企业安全负责人 张强", Role.ENTERPRISE),
    ("agency", "评审机构 陈静", Role.AGENCY),
]


def seed_users() -> list[str]:
    """Create the demo logins that do not exist yet; returns the usernames created."""
    User = get_user_model()
    county = County.objects.get(code="370602")
    bindings = {
        Role.COUNTY: {"county": county},
        Role.ENTERPRISE: {"enterprise": demo_enterprise()},
        Role.AGENCY: {"agency": ReviewAgency.objects.order_by("pk").first()},
    }
    created = []
    for username, full_name, role in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            is_superuser=role == Role.ADMIN,
            **bindings.get(role, {}),
        )
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        created.append(username)
    return created
