# The project the pull-request workflows plan: a health monitor and a pool using it. Edit it in
# a pull request and the workflow comments with the plan.
#
# With AVI_CONTROLLER unset, albform runs its embedded Avi controller emulator (state and
# emulator database under this directory), so the example works without a controller.

resource "avi_healthmonitor" "web" {
  name = "pr-review-web-hm"
  type = "HEALTH_MONITOR_HTTP"
}

resource "avi_pool" "web" {
  name                = "pr-review-web"
  description         = "web servers"
  health_monitor_refs = [avi_healthmonitor.web.id]

  servers {
    ip {
      addr = "10.0.0.11"
      type = "V4"
    }
    port = 8080
  }
}

output "pool_uuid" {
  value = avi_pool.web.uuid
}
