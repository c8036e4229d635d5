#!/bin/sh
# autogen.sh — generates configure and Makefile.in from configure.ac and
# Makefile.am (needs autoconf, automake, libtool, autoconf-archive).
set -e
cd "$(dirname "$0")"
autoreconf -fi
