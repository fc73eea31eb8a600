# Entry point of every Shiny image: serve the app in APP_DIR (default: the working directory) on
# $PORT (default 3838) on all interfaces, as the ALB expects.
shiny::runApp(
  appDir = if (nzchar(Sys.getenv("APP_DIR"))) Sys.getenv("APP_DIR") else ".",
  host = Sys.getenv("HOST", "0.0.0.0"),
  port = as.integer(Sys.getenv("PORT", "3838")),
  launch.browser = FALSE
)
