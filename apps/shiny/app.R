# Ridge & Lasso: how regularisation treats predictors that matter and predictors that do not.
# y depends on x1..x3 only; x4..x6 are noise. For many simulated data sets we fit lasso and
# ridge (glmnet) at the lambda chosen with the slider and compare the coefficient estimates.
library(shiny)
library(plotly)
library(glmnet)

# The platform's identity helper (apps/shared/r; the image keeps that layout, /shared beside /app).
source(file.path("..", "shared", "r", "alb_auth.R"), local = TRUE)

TITLE <- Sys.getenv("DASHBOARD_NAME", "Ridge & Lasso regularisation")
# The session guard (apps/shared/js; the image keeps that layout, /shared/js beside /app) reloads
# the page through the ALB's sign-in once the session has ended (a websocket that closes cannot
# reconnect through the ALB's redirect), and while the user is active sends the periodic request
# that keeps a dashboard that scales to zero awake. Served as a file (no inline code) by httpuv,
# off the R thread; loaded in <head>, before Shiny opens its websocket. It checks with that same
# static file: Shiny has no health route, and `/` would run ui() in the app's one R process.
# SESSION_GUARD_INTERVAL_SECONDS and SESSION_GUARD_ACTIVE_SECONDS override the guard's defaults.
addResourcePath("session-guard", file.path("..", "shared", "js"))
SESSION_GUARD_JS <- "session-guard/session-guard.js"
SESSION_GUARD <- tags$script(
  src = SESSION_GUARD_JS, `data-probe` = SESSION_GUARD_JS, `data-name` = TITLE,
  `data-interval` = Sys.getenv("SESSION_GUARD_INTERVAL_SECONDS"),
  `data-active-seconds` = Sys.getenv("SESSION_GUARD_ACTIVE_SECONDS")
)
TRUE_BETA <- c(x1 = 2, x2 = -1.5, x3 = 1, x4 = 0, x5 = 0, x6 = 0)

simulate_sets <- function(n_sets, n_obs = 100, seed = 42) {
  set.seed(seed)
  lapply(seq_len(n_sets), function(i) {
    x <- matrix(rnorm(n_obs * length(TRUE_BETA)), n_obs, dimnames = list(NULL, names(TRUE_BETA)))
    list(x = x, y = drop(x %*% TRUE_BETA + rnorm(n_obs, sd = 2)))
  })
}

fit_coefficients <- function(sets, lambda) {
  rows <- lapply(seq_along(sets), function(i) {
    d <- sets[[i]]
    do.call(rbind, lapply(c(Lasso = 1, Ridge = 0), function(alpha) {
      # Fit the whole path and read it at lambda (what glmnet recommends over a single lambda).
      fit <- glmnet(d$x, d$y, alpha = alpha)
      b <- as.matrix(coef(fit, s = lambda))[-1, 1]
      data.frame(set = i, predictor = names(b), coefficient = unname(b))
    }))
  })
  out <- do.call(rbind, rows)
  out$model <- rep(rep(c("Lasso", "Ridge"), each = length(TRUE_BETA)), length(sets))
  out
}

identity_bar <- function(req) {
  user <- alb_user(req)  # NULL unless x-amzn-oidc-data verifies
  portal <- Sys.getenv("DASHBOARD_PORTAL_URL")
  div(
    style = "display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;margin:0 -15px 1rem;background:#243b53;color:#fff",
    strong(TITLE), span(style = "flex:1"),
    if (!is.null(user)) span(id = "user", paste("Signed in as", user)),
    if (nzchar(portal)) a(id = "portal", href = portal, style = "color:#fff", "All dashboards"),
    a(id = "logout", href = "/logout", style = "color:#fff", "Sign out")
  )
}

ui <- function(req) {
  # /logout is routed here too (uiPattern below): answer it with the sign-out redirect.
  if (identical(req$PATH_INFO, "/logout")) return(alb_logout_response(req))
  fluidPage(
    title = TITLE,
    tags$head(SESSION_GUARD),
    identity_bar(req),
    sidebarLayout(
      sidebarPanel(
        sliderInput("lambda", "Lambda (penalty)", min = 0.01, max = 2, value = 0.1, step = 0.01),
        sliderInput("sets", "Simulated data sets", min = 10, max = 200, value = 50, step = 10),
        helpText("y = 2 x1 - 1.5 x2 + x3 + noise; x4, x5 and x6 do not affect y.",
                 "Lasso shrinks the noise predictors to exactly zero; ridge only shrinks them.")
      ),
      mainPanel(plotlyOutput("coefs", height = "480px"), textOutput("summary"))
    )
  )
}

server <- function(input, output, session) {
  sets <- reactive(simulate_sets(input$sets))
  coefs <- reactive(fit_coefficients(sets(), input$lambda))

  output$coefs <- renderPlotly({
    plot_ly(coefs(), x = ~predictor, y = ~coefficient, color = ~model, type = "box",
            colors = c(Lasso = "#2f80ed", Ridge = "#eb5757")) |>
      layout(boxmode = "group", yaxis = list(title = "Estimated coefficient"),
             xaxis = list(title = ""),
             title = sprintf("Coefficients over %d data sets, lambda = %.2f", input$sets, input$lambda))
  })
  output$summary <- renderText({
    d <- coefs()
    zero <- with(d[d$model == "Lasso" & d$predictor %in% c("x4", "x5", "x6"), ], mean(coefficient == 0))
    sprintf("Lasso set %.0f%% of the noise coefficients to exactly zero.", 100 * zero)
  })
}

shinyApp(ui, server, uiPattern = "^/(logout)?$")
