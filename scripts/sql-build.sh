#!/bin/sh
# scripts/sql-build.sh DIR LIST VERSION
#   Print the extension script described by the include list DIR/LIST: each
#   named file (relative to DIR) in order, '@functions@' standing for every
#   file of DIR/functions.list (under DIR/functions/), '@EXTVERSION@'
#   replaced by VERSION.  Every extension under ext/ builds its scripts so.
set -eu
dir=$1
list=$2
version=$3

expand() {
    grep -v '^#' "$dir/$1" | grep -v '^$'
}

echo "-- Generated from $dir/$list; do not edit."
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
