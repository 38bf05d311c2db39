# Sourced by scripts/browser.sh and scripts/nginx.sh, which install a Debian package
# the tests need when it is missing.
#
# apt_install <package> <which tests>: as root, installs the package quietly with
# apt-get; otherwise says how to install it and exits 1.
apt_install() {
  local package=$1 tests=$2
  if [ "$(id -u)" != 0 ]; then
    echo "error: $package is missing; install it with: sudo apt-get install -y $package" >&2
    exit 1
  fi
  echo "Installing Debian's $package for the $tests ..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
}
