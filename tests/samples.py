"""Log lines several tests paste, written once."""

SOCKET_LINE = (
    "2026/11/21 03:12:45 [crit] 2211#2211: *4183 connect() to unix:/run/php/php8.1-fpm.sock "
    "failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, "
    'server: example.com, request: "GET / HTTP/1.1", upstream: '
    '"fastcgi://unix:/run/php/php8.1-fpm.sock:", host: "example.com"'
)
FPM_LINE = (
    "[21-Nov-2026 03:12:45] WARNING: [pool www] server reached pm.max_children setting (5), "
    "consider raising it"
)
