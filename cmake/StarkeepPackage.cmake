# `cmake --install` layout and the Debian packages CPack builds from it (`cpack -G DEB` in the build directory;
# scripts/lib.sh package_check builds, installs and tries them):
#
#   package starkeep           /usr/bin/starkeep
#                              /usr/share/doc/starkeep/          README.md, docs/*.md
#                              /usr/share/starkeep/examples/     example policies (examples/, policies/)
#                              /usr/share/starkeep/deploy/       deploy/ without systemd/ (Prometheus rules, ...)
#                              /usr/lib/systemd/system/          starkeep-{run,drill,expire,repository-check}.{service,timer}
#   package starkeep-emulator  /usr/bin/starkeep-emulator, /usr/bin/starkeep-emu-harness (for users' CI)
#
# Dependencies are the Debian runtime libraries the binaries link, found by dpkg-shlibdeps; the emulator adds
# mariadb-server (it stores the emulated cluster's data in a private mariadbd the harness starts). Binaries are
# stripped: a package carries no debug info.
include(GNUInstallDirs)

install(TARGETS starkeep RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT starkeep)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT starkeep)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT starkeep FILES_MATCHING PATTERN "*.md")
install(DIRECTORY examples/ policies/ DESTINATION ${CMAKE_INSTALL_DATADIR}/starkeep/examples COMPONENT starkeep
        USE_SOURCE_PERMISSIONS)  # examples/ci/*.sh stay executable
install(DIRECTORY deploy/ DESTINATION ${CMAKE_INSTALL_DATADIR}/starkeep/deploy COMPONENT starkeep
        PATTERN systemd EXCLUDE)
# Relative, so `cmake --install --prefix DIR` stays inside DIR; systemd reads /usr/lib/systemd/system.
install(DIRECTORY deploy/systemd/ DESTINATION lib/systemd/system COMPONENT starkeep
        FILES_MATCHING PATTERN "*.service" PATTERN "*.timer")
install(TARGETS starkeep-emulator starkeep-emu-harness RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        COMPONENT emulator)

set(CPACK_PACKAGE_NAME starkeep)
set(CPACK_PACKAGE_VENDOR "starkeep")
set(CPACK_PACKAGE_CONTACT "starkeep maintainers <starkeep@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "declarative backup and restore for StarRocks")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL starkeep emulator)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/starkeep/starkeep")
set(CPACK_DEBIAN_STARKEEP_PACKAGE_NAME starkeep)
set(CPACK_DEBIAN_STARKEEP_DESCRIPTION
    "declarative backup and restore for StarRocks
 starkeep compiles a backup policy (tiers, retention, inclusion rules, restore
 drills, alerts) against the table inventory, runs the backups it makes due
 over the MySQL protocol, restores, drills and expires snapshots, and keeps
 its history in the cluster's ops database.")
set(CPACK_DEBIAN_EMULATOR_PACKAGE_NAME starkeep-emulator)
set(CPACK_DEBIAN_EMULATOR_PACKAGE_DEPENDS "mariadb-server")
set(CPACK_DEBIAN_EMULATOR_DESCRIPTION
    "StarRocks FE emulator for testing starkeep policies
 A MySQL-protocol server that emulates StarRocks' backup/restore statements,
 SHOW output and information_schema over a private MariaDB, so a policy can be
 run end to end in CI without a StarRocks cluster (starkeep-emu-harness up).")
include(CPack)
