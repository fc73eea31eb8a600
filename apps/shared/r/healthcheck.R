# Docker HEALTHCHECK: exit 0 when the app answers GET / with 200 (Shiny has no health route).
status <- tryCatch(
  curl::curl_fetch_memory(
    sprintf("http://127.0.0.1:%s/", Sys.getenv("PORT", "3838")),
    handle = curl::new_handle(timeout = 4)
  )$status_code,
  error = function(e) 0L
)
quit(status = if (identical(as.integer(status), 200L)) 0L else 1L, save = "no")
