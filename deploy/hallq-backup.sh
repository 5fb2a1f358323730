#!/bin/sh
# Dump the HallQ database: /usr/local/sbin/hallq-backup, run as the postgres user (nightly by
# hallq-backup.timer, and by hand before an upgrade: docs/deploy.md, "Backups").
# Prints the dump's file name. HALLQ_BACKUP_DIR (/var/backups/hallq), HALLQ_BACKUP_DATABASE
# (hallq) and HALLQ_BACKUP_KEEP_DAYS (14) change where, what and how long.
set -eu

dir=${HALLQ_BACKUP_DIR:-/var/backups/hallq}
database=${HALLQ_BACKUP_DATABASE:-hallq}
keep_days=${HALLQ_BACKUP_KEEP_DAYS:-14}
file="$dir/$database-$(date +%Y%m%d-%H%M%S).dump"

# Written as .part and renamed only once complete and readable, so a dump cut off half-way
# never looks like a good one (and copies made off the machine skip *.part).
trap 'rm -f "$file.part"' EXIT
pg_dump --format=custom --file="$file.part" "$database"
pg_restore --list "$file.part" >/dev/null
mv "$file.part" "$file"

# Older dumps go; the copies off the machine are kept by their own rules.
find "$dir" -maxdepth 1 -name "$database-*.dump" -mtime +"$keep_days" -delete
find "$dir" -maxdepth 1 -name "$database-*.dump.part" -mtime +1 -delete   # left by a killed run
echo "$file"
