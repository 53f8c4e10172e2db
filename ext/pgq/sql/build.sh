#!/bin/sh
# sql/build.sh LIST VERSION
#   Print the script described by the include list LIST (relative to this
#   directory): each named file in order, '@functions@' standing for every
#   file of functions.list, '@EXTVERSION@' replaced by VERSION.
set -eu
dir=$(dirname "$0")
list=$1
version=$2

expand() {
    grep -v '^#' "$dir/$1" | grep -v '^$'
}

echo "-- Generated from ext/pgq/sql/$list; do not edit."
expand "$list" | while read -r item; do
    if [ "$item" = "@functions@" ]; then
        expand functions.list | sed 's|^|functions/|'
    else
        echo "$item"
    fi
done | while read -r file; do
    echo
    sed "s/@EXTVERSION@/$version/g" "$dir/$file"
done
