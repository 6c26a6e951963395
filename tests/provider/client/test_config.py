"""ClientConfig: provider arguments, env vars, URL forms, TLS choice, secrets masked."""

from __future__ import annotations

import pytest

from albform.provider.client import AviConfigError, ClientConfig


def test_from_env_reads_every_variable(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    cfg = ClientConfig.from_env({
        "AVI_CONTROLLER": "ctrl.example:8443", "AVI_USERNAME": "ops", "AVI_PASSWORD": "pw1",
        "AVI_TENANT": "t1", "AVI_VERSION": "22.1.3", "AVI_CA_BUNDLE": str(bundle),
        "AVI_API_TIMEOUT": "12.5"})
    assert cfg.base_url == "https://ctrl.example:8443"
    assert (cfg.username, cfg.password, cfg.tenant) == ("ops", "pw1", "t1")
    assert cfg.api_version == "22.1.3" and cfg.timeout == 12.5
    assert cfg.verify == str(bundle)


def test_provider_args_win_over_env_and_unknown_args_are_refused():
    env = {"AVI_CONTROLLER": "a.example", "AVI_PASSWORD": "from-env", "AVI_INSECURE": "true"}
    cfg = ClientConfig.from_provider_args({"avi_controller": "b.example",
                                           "avi_csp_host": "csp.example"}, env)
    assert cfg.base_url == "https://b.example" and cfg.password == "from-env"
    assert cfg.insecure and cfg.verify is False and cfg.csp_host == "csp.example"
    with pytest.raises(AviConfigError, match="avi_pasword"):
        ClientConfig.from_provider_args({"avi_pasword": "x"}, env)
    # albform's TLS settings are environment variables only: the official provider has no
    # avi_insecure argument, so a configuration using one would fail there.
    with pytest.raises(AviConfigError, match="avi_insecure: set AVI_INSECURE instead"):
        ClientConfig.from_provider_args({"avi_insecure": "true"}, env)


def test_csp_token_is_an_official_argument_albform_refuses_to_use_silently():
    with pytest.raises(AviConfigError, match="CSP") as err:
        ClientConfig.from_provider_args({"avi_controller": "c", "avi_csp_token": "s3cret"})
    assert "s3cret" not in str(err.value)
    cfg = ClientConfig.from_env({"AVI_CONTROLLER": "c", "ALBFORM_CONNECT_TIMEOUT": "3"})
    assert cfg.connect_timeout == 3.0 and cfg.csp_host == "console.cloud.vmware.com"


@pytest.mark.parametrize(("controller", "url"), [
    ("10.0.0.1", "https://10.0.0.1"),
    ("10.0.0.1:443", "https://10.0.0.1"),
    ("https://ctrl.example:9443/", "https://ctrl.example:9443"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("[fd00::1]:8443", "https://[fd00::1]:8443"),
])
def test_base_url_forms(controller, url):
    assert ClientConfig(controller=controller).base_url == url


def test_tls_verification_is_on_by_default():
    assert ClientConfig(controller="c").verify is True


def test_bad_settings_are_clear_errors(tmp_path):
    with pytest.raises(AviConfigError, match="avi_controller is required"):
        ClientConfig.from_env({})
    with pytest.raises(AviConfigError, match="true or false"):
        ClientConfig.from_env({"AVI_CONTROLLER": "c", "AVI_INSECURE": "maybe"})
    with pytest.raises(AviConfigError, match="number of seconds"):
        ClientConfig.from_env({"AVI_CONTROLLER": "c", "AVI_API_TIMEOUT": "soon"})
    with pytest.raises(AviConfigError, match="mutually exclusive"):
        ClientConfig(controller="c", insecure=True, ca_bundle=str(tmp_path))
    with pytest.raises(AviConfigError, match="does not exist"):
        ClientConfig(controller="c", ca_bundle=str(tmp_path / "missing.pem"))
    with pytest.raises(AviConfigError, match="not a host or URL"):
        _ = ClientConfig(controller="ftp://c").base_url


def test_repr_masks_secrets():
    cfg = ClientConfig(controller="c", password="hunter2", auth_token="tok-123")
    for text in (repr(cfg), str(cfg), f"{cfg}"):
        assert "hunter2" not in text and "tok-123" not in text
        assert "password='***'" in text.replace('"', "'") or "password=***" in text
    assert "password=''" in repr(ClientConfig(controller="c"))
