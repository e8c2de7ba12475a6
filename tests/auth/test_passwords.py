"""Password rules (ASVS V6): length, common passwords, the person's own details; everywhere."""

from __future__ import annotations

import pytest

from wcc.auth.passwords import MAX_LENGTH, PasswordRejected, check_password, common_passwords


@pytest.mark.parametrize("password", [
    "password12", "aaaaaaaaaa", "1234567890",            # the review's examples: too short
    "aaaaaaaaaaaaaaaa", "abababababababab",             # long but a handful of characters
    "qwertyuiop123", "1qaz2wsx3edc", "passwordpassword",  # among the 100,000 most common
    "Password1234!",                                      # a common one with digits around it
    "maryam.ahmadi-2025", "isfahan-crafts-44",           # the person's name, their organisation
])
def test_weak_passwords_are_refused(app, password):
    with pytest.raises(PasswordRejected):
        check_password(password, email="maryam.ahmadi@isfahan.example.org", name="Maryam Ahmadi",
                       org_names=("IR-10", "Isfahan", "استان اصفهان"))


@pytest.mark.parametrize("password", [
    "correct-horse-battery", "wcc-demo-1404", "کاشی هفت رنگ و فیروزه", "x" * 3 + "yzab" * 16,
])
def test_good_passwords_are_accepted(app, password):
    check_password(password, email="maryam.ahmadi@isfahan.example.org", name="Maryam Ahmadi",
                   org_names=("IR-10", "Isfahan"))


def test_the_limit_is_not_below_64_and_the_list_is_the_top_100000(app):
    check_password("long passphrase " * 4, email="a@b.example.org")
    assert MAX_LENGTH >= 64
    with pytest.raises(PasswordRejected):
        check_password("y" * (MAX_LENGTH + 1) + "abcde", email="a@b.example.org")
    assert len(common_passwords()) > 95_000  # 100,000 lines, folded to lower case


def test_create_user_refuses_password12_with_the_reason(runner, network):
    result = runner.invoke(args=["create-user", "new@test.example.org", "--password", "password12",
                                 "--role", "municipality", "--org", "IR-10-KASHAN"])
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    common = runner.invoke(args=["create-user", "new@test.example.org", "--password", "qwertyuiop123",
                                 "--role", "municipality", "--org", "IR-10-KASHAN"])
    assert common.exit_code != 0 and "most common passwords" in common.output
    ok = runner.invoke(args=["create-user", "new@test.example.org", "--password", "felt rugs of kashan 1404",
                             "--role", "municipality", "--org", "IR-10-KASHAN"])
    assert ok.exit_code != 0 and "organisation" in ok.output  # "kashan" is the organisation
    ok = runner.invoke(args=["create-user", "new@test.example.org", "--password", "seven blue tiles on a dome",
                             "--role", "municipality", "--org", "IR-10-KASHAN"])
    assert ok.exit_code == 0, ok.output


def test_the_pages_apply_the_rules_and_show_a_meter(client, network, login_as):
    user = login_as(network.users["kashan_city"])
    page = client.get("/profile?lang=en").get_data(as_text=True)
    assert "data-password-meter" in page and "password-meter.js" in page
    response = client.post("/profile/password?lang=en", data={
        "current_password": "correct-horse-battery", "new_password": "kashan.city-2025",
        "confirm": "kashan.city-2025"})
    assert response.status_code == 400
    assert "must not contain your e-mail address" in response.get_data(as_text=True)
    login_as(network.users["admin"])
    response = client.post("/admin/users/new?lang=en", data={
        "email": "officer@test.example.org", "name": "Officer", "role": "municipality",
        "org": network.orgs["IR-10-KASHAN"].id, "preferred_language": "fa", "active": "y",
        "password": "1234567890"})
    assert response.status_code == 400 and "at least 12 characters" in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{user.id}/reset-password?lang=en", data={"new_password": "iloveyou1234"})
    assert response.status_code == 400 and "most common passwords" in response.get_data(as_text=True)
