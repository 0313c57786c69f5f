"""Debian packages as evaluation sources: a package's files read from an installed copy, or
fetched with `apt-get download` and unpacked with `dpkg-deb -x` under the eval's own folder
(no root needed). Nothing fetched is committed."""

import subprocess
from pathlib import Path


def package_dir(out, package, rel, given=None, probe="."):
    """The folder `rel` of Debian package `package`: `given`, the installed `/rel`, or the
    package fetched and unpacked under out/deb/; `probe` (a path inside the folder) must exist.
    None when the package cannot be had."""
    for d in [Path(given) if given else None, Path("/") / rel, out / "deb" / rel]:
        if d is not None and (d / probe).exists():
            return d
    deb = out / "deb"
    deb.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(["apt-get", "download", package], cwd=deb, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pkg = sorted(deb.glob(package + "_*.deb"))[-1]
        subprocess.run(["dpkg-deb", "-x", str(pkg), str(deb)], check=True)
    except (OSError, IndexError, subprocess.CalledProcessError):
        return None
    d = deb / rel
    return d if (d / probe).exists() else None
