# Avi API fields and object types the official vmware/avi provider (30.2.1) lacks: it rejects
# them, and so does albform unless ALBFORM_API_EXTRAS=true opts in (test_api_extras.py).
resource "avi_poolgroup" "pg" {
  name         = "pg"
  enable_http2 = true # ERROR: Unsupported argument
}

resource "avi_cloud" "c" {
  name  = "c"
  vtype = "CLOUD_LINUXSERVER"
  linuxserver_configuration {
    se_log_disk_size_GB = 10 # ERROR: Unsupported argument
  }
}

resource "avi_jwtprofile" "jwt" { # ERROR: Invalid resource type
  name          = "jwt"
  jwt_auth_type = "JWT_TYPE_JWS"
}

data "avi_jwtprofile" "jwt" { # ERROR: Invalid data source
  name = "jwt"
}

resource "avi_pool" "p" {
  name = "p"
  url  = "https://10.1.1.10/api/pool/pool-1" # ERROR: Unsupported argument
}
