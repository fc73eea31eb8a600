# Identity and sign-out for a Shiny app behind an AWS ALB (the R counterpart of the Python
# package apps/shared/python/dashboard_auth).
#
# The ALB forwards x-amzn-oidc-data: an ES256 JWT whose header carries kid, signer (the ALB ARN)
# and exp; the public key (PEM) is at <ALB_PUBLIC_KEYS_URL or
# https://public-keys.auth.elb.<AWS_REGION>.amazonaws.com>/<kid>; segments are base64url WITH '='
# padding. Debian has no r-cran-jose, so the check is done with openssl (the library jose wraps),
# curl and jsonlite: all maintained CRAN packages, packaged by Debian and on CRAN binaries.

`%||%` <- function(a, b) if (is.null(a)) b else a

# R serves every session of the process on one thread, so a key fetch stalls them all: fetches
# are short, only a few per window are made for kids not seen before (a forged kid costs nothing
# once the budget is spent), and both caches are bounded.
.alb_keys <- new.env(parent = emptyenv())    # kid -> list(key, used): LRU, at most .ALB_MAX_KEYS
.alb_failed <- new.env(parent = emptyenv())  # kid -> list(used = time of the failed fetch)
.alb_fetches <- new.env(parent = emptyenv()) # the fetch budget: window start, count; log-once flags
.ALB_NEGATIVE_CACHE_SECONDS <- 60
.ALB_MAX_KEYS <- 32
.ALB_MAX_FAILED <- 128
.ALB_FETCH_TIMEOUT_SECONDS <- 2   # whole fetch; the regional key endpoint answers in milliseconds
.ALB_FETCH_BUDGET <- 4            # fetches for unseen kids per window (a key rotation needs one)
.ALB_FETCH_WINDOW_SECONDS <- 60
.ALB_MAX_TOKEN <- 16 * 1024

.alb_clock <- function() proc.time()[["elapsed"]]  # monotonic: immune to wall-clock jumps

# Stores value (a list with `used`) under kid; beyond max entries, drops the least recently used.
.alb_cache_put <- function(cache, kid, value, max) {
  assign(kid, value, envir = cache)
  extra <- length(cache) - max
  if (extra > 0) {
    kids <- ls(cache, all.names = TRUE, sorted = FALSE)
    used <- vapply(kids, function(k) cache[[k]]$used, numeric(1))
    rm(list = kids[order(used)][seq_len(extra)], envir = cache)
  }
}

# TRUE and one fetch used up, or FALSE while this window's budget is spent (or the breaker open).
.alb_take_fetch <- function() {
  now <- .alb_clock()
  start <- .alb_fetches$start %||% -Inf
  if (now - start >= .ALB_FETCH_WINDOW_SECONDS) {
    .alb_fetches$start <- now
    .alb_fetches$count <- 0
    .alb_fetches$refusing <- FALSE
  }
  if (.alb_fetches$count < .ALB_FETCH_BUDGET) {
    .alb_fetches$count <- .alb_fetches$count + 1
    return(TRUE)
  }
  if (!isTRUE(.alb_fetches$refusing)) {
    .alb_fetches$refusing <- TRUE
    message("ALB public keys: fetch budget spent, unseen kids are not signed in for up to ",
            .ALB_FETCH_WINDOW_SECONDS, " s")
  }
  FALSE
}

# The endpoint is down, slow or throttling: no more fetches this window (the breaker opens).
.alb_open_breaker <- function() .alb_fetches$count <- .ALB_FETCH_BUDGET

b64url_decode <- function(segment) {
  # Accept padded (ALB) and unpadded segments alike.
  # ALB token segments are base64url with '=' padding: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
  s <- chartr("-_", "+/", sub("=+$", "", segment))
  s <- paste0(s, strrep("=", (4 - nchar(s) %% 4) %% 4))
  openssl::base64_decode(s)
}

alb_keys_url <- function() {
  url <- Sys.getenv("ALB_PUBLIC_KEYS_URL")
  region <- Sys.getenv("AWS_REGION", Sys.getenv("AWS_DEFAULT_REGION"))
  if (nzchar(url)) sub("/+$", "", url)
  # Regional ALB key endpoint; the PEM public key for a token is at <endpoint>/<kid>: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
  else if (nzchar(region)) sprintf("https://public-keys.auth.elb.%s.amazonaws.com", region)
  else ""
}

# Keys are fetched over https only. Tests that serve keys from a local http server opt in with
# DASHBOARD_AUTH_ALLOW_LOCAL_HTTP_KEYS=1, and then only to a loopback IP literal (a name such as
# localhost resolves wherever DNS or /etc/hosts says); the image never sets it, and DASHBOARD_*
# names are reserved for the platform in the stack config.
.ALB_LOCAL_HTTP_OPT_IN <- "DASHBOARD_AUTH_ALLOW_LOCAL_HTTP_KEYS"

# https://host[:port][/path] (no user info, query or fragment), or the opted-in local http server.
alb_keys_url_allowed <- function(keys_url) {
  rest <- "(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$"
  if (grepl(paste0("^https://[A-Za-z0-9.-]+", rest), keys_url)) return(TRUE)
  identical(Sys.getenv(.ALB_LOCAL_HTTP_OPT_IN), "1") &&
    grepl(paste0("^http://(127[.]0[.]0[.]1|\\[::1\\])", rest), keys_url)
}

alb_public_key <- function(kid, keys_url) {
  cached <- .alb_keys[[kid]]
  if (!is.null(cached)) {
    cached$used <- .alb_clock()
    assign(kid, cached, envir = .alb_keys)
    return(cached$key)
  }
  failed <- .alb_failed[[kid]]
  if (!is.null(failed) && .alb_clock() - failed$used < .ALB_NEGATIVE_CACHE_SECONDS) return(NULL)
  if (!alb_keys_url_allowed(keys_url)) {
    if (!identical(.alb_fetches$refused_url, keys_url)) message("ALB public keys URL refused (https only): ", keys_url)
    .alb_fetches$refused_url <- keys_url
    return(NULL)
  }
  if (!.alb_take_fetch()) return(NULL)
  key <- tryCatch({
    # Never follow redirects: a 3xx to another server would hand it the choice of key.
    handle <- curl::new_handle(followlocation = FALSE, timeout = .ALB_FETCH_TIMEOUT_SECONDS,
                               connecttimeout = .ALB_FETCH_TIMEOUT_SECONDS)
    resp <- tryCatch(curl::curl_fetch_memory(paste0(keys_url, "/", kid), handle = handle),
                     error = function(e) { .alb_open_breaker(); stop(e) })
    if (resp$status_code >= 500 || resp$status_code == 429) .alb_open_breaker()
    if (resp$status_code != 200) stop("HTTP ", resp$status_code)
    k <- openssl::read_pubkey(rawToChar(resp$content))
    # ALB signs with ECDSA P-256 + SHA-256 (ES256): https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
    if (!inherits(k, "ecdsa") || as.list(k)$data$curve != "P-256") stop("not a P-256 key")
    k
  }, error = function(e) {
    message("could not load ALB public key ", kid, ": ", conditionMessage(e))
    NULL
  })
  if (is.null(key)) .alb_cache_put(.alb_failed, kid, list(used = .alb_clock()), .ALB_MAX_FAILED)
  else .alb_cache_put(.alb_keys, kid, list(key = key, used = .alb_clock()), .ALB_MAX_KEYS)
  key
}

# A JWT as the ALB sends it: three base64url segments (each optionally '='-padded), nothing else.
.ALB_TOKEN_SHAPE <- "^[A-Za-z0-9_-]+={0,2}[.][A-Za-z0-9_-]+={0,2}[.][A-Za-z0-9_-]+={0,2}$"

# A JSON object (jsonlite with simplifyVector = FALSE gives a named list; arrays are unnamed).
.alb_is_object <- function(x) is.list(x) && !is.null(names(x))

# exp must be a finite JSON number (as aws-jwt-verify requires); strings, arrays, 1e400 are malformed.
.alb_valid_exp <- function(exp, now) is.numeric(exp) && length(exp) == 1 && is.finite(exp) && exp >= now

# Claims of a token valid for this ALB, or NULL. Never errors: whatever the header holds (bytes that
# are not UTF-8, deep JSON, huge numbers, values of the wrong type), a malformed token means "not
# signed in".
alb_verify <- function(token, alb_arn = Sys.getenv("ALB_ARN"), keys_url = alb_keys_url()) {
  tryCatch({
    if (!is.character(token) || length(token) != 1 || is.na(token)) return(NULL)
    # Byte-wise checks first: httpuv passes header bytes on as they came, and character-wise
    # functions (nchar, trimws, strsplit) raise on bytes that are not valid in the locale.
    if (nchar(token, type = "bytes") > .ALB_MAX_TOKEN) return(NULL)
    token <- gsub("^[ \t\r\n]+|[ \t\r\n]+$", "", token, useBytes = TRUE)
    if (!grepl(.ALB_TOKEN_SHAPE, token, useBytes = TRUE)) return(NULL)
    if (!nzchar(alb_arn) || !nzchar(keys_url)) return(NULL)
    parts <- strsplit(token, ".", fixed = TRUE)[[1]]
    header <- jsonlite::fromJSON(rawToChar(b64url_decode(parts[1])), simplifyVector = FALSE)
    if (!.alb_is_object(header)) return(NULL)
    # The JWT header carries alg, kid, signer (the ALB's ARN, to be checked) and exp: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
    if (!identical(header$alg, "ES256") || !identical(header$signer, alb_arn)) return(NULL)
    kid <- header$kid
    # The kid becomes part of a URL: only key-id characters, matched against the whole string.
    if (!is.character(kid) || length(kid) != 1 || !grepl("\\A[A-Za-z0-9_-]{1,128}\\z", kid, perl = TRUE, useBytes = TRUE)) return(NULL)
    now <- as.numeric(Sys.time())
    if (!is.null(header$exp) && !.alb_valid_exp(header$exp, now)) return(NULL)
    key <- alb_public_key(kid, keys_url)
    if (is.null(key)) return(NULL)
    sig <- b64url_decode(parts[3])
    if (length(sig) != 64) return(NULL)
    # JWS ES256 signatures are raw r || s; openssl verifies DER.
    der <- openssl::ecdsa_write(sig[1:32], sig[33:64])
    # The signature covers the segments exactly as sent (padding included).
    ok <- openssl::signature_verify(charToRaw(paste0(parts[1], ".", parts[2])), der,
                                    hash = openssl::sha256, pubkey = key)
    if (!isTRUE(ok)) return(NULL)
    claims <- jsonlite::fromJSON(rawToChar(b64url_decode(parts[2])), simplifyVector = FALSE)
    if (!.alb_is_object(claims) || !.alb_valid_exp(claims$exp, now)) return(NULL)
    if (!is.character(claims$sub) || length(claims$sub) != 1 || !nzchar(claims$sub)) return(NULL)
    claims
  }, error = function(e) NULL)
}

# The verified user's display name (email, else username, else sub) for a Shiny/httpuv request.
alb_user <- function(req) {
  # The ALB adds x-amzn-oidc-data (the IdP's userInfo claims, signed) to each request it forwards: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
  claims <- alb_verify(req$HTTP_X_AMZN_OIDC_DATA %||% "")
  if (is.null(claims)) return(NULL)
  for (name in c("email", "username", "sub")) {
    if (is.character(claims[[name]]) && nzchar(claims[[name]])) return(claims[[name]])
  }
  NULL
}

# 302 to DASHBOARD_LOGOUT_URL expiring every ALB session cookie shard (0-3 and any in the request).
alb_logout_response <- function(req) {
  # ALB logout: expire every AWSELBAuthSessionCookie-N shard, then redirect to the IdP's logout endpoint: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html
  names <- sprintf("AWSELBAuthSessionCookie-%d", 0:3)
  sent <- trimws(sub("=.*$", "", strsplit(req$HTTP_COOKIE %||% "", ";", fixed = TRUE)[[1]]))
  names <- unique(c(names, sent[grepl("^AWSELBAuthSessionCookie[A-Za-z0-9_-]{0,32}$", sent)]))
  cookies <- paste0(names, "=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly; SameSite=Lax")
  # Cognito /logout with client_id and a logout_uri listed in the client's sign-out URLs: https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
  location <- Sys.getenv("DASHBOARD_LOGOUT_URL")
  if (!nzchar(location)) location <- "/signed-out"
  headers <- c(list(Location = location, `Cache-Control` = "no-store"),
               stats::setNames(as.list(cookies), rep("Set-Cookie", length(cookies))))
  shiny::httpResponse(302, content_type = "text/plain", content = "", headers = headers)
}
