# Installs R packages into R's own library in a generated Shiny image's build stage:
#
#   Rscript install_packages.R <package> ...            from CRAN_SNAPSHOT
#   Rscript install_packages.R --renv <lockfile> <package> ...
#                                                       the lockfile's packages at their versions, then the others
#
# CRAN_SNAPSHOT is a dated Posit Package Manager snapshot of CRAN (Linux binaries where it has
# them, compiled otherwise: the build stage has the compilers). install.packages() only warns when
# a package fails, so this exits 1 naming every package that is not installed afterwards.
args <- commandArgs(trailingOnly = TRUE)
repos <- c(CRAN = Sys.getenv("CRAN_SNAPSHOT"))
if (!nzchar(repos[["CRAN"]])) stop("CRAN_SNAPSHOT is not set")
lockfile <- NULL
if (length(args) >= 2 && args[[1]] == "--renv") {
  lockfile <- args[[2]]
  args <- args[-(1:2)]
}
ncpus <- max(1L, parallel::detectCores())
wanted <- args
if (!is.null(lockfile)) {
  install.packages("renv", repos = repos, Ncpus = ncpus)
  renv::restore(lockfile = lockfile, library = .libPaths()[[1]], repos = repos, prompt = FALSE)
  wanted <- c(wanted, names(renv::lockfile_read(lockfile)$Packages))
}
todo <- setdiff(args, rownames(installed.packages()))
if (length(todo) > 0) install.packages(todo, repos = repos, Ncpus = ncpus)
missing <- setdiff(unique(wanted), rownames(installed.packages()))
if (length(missing) > 0) {
  message("not installed: ", paste(missing, collapse = ", "))
  quit(status = 1, save = "no")
}
