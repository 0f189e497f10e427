# `make package` (SPEC §7.9): one .deb with what the install rules name: the gatehouse binary, the
# example profiles (app/) and resources/. gatehouse-headless and the tests have no install rule.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gatehouse)
set(CPACK_PACKAGE_VENDOR "The Gatehouse developers")
# The project has no public mail address yet; .invalid says so rather than invent one.
set(CPACK_PACKAGE_CONTACT "The Gatehouse developers <gatehouse@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "local developer gateway with a desktop app")
set(CPACK_PACKAGE_DESCRIPTION [[
Gatehouse stands in front of the services a developer runs on their own
machine, as one entrance. It routes requests by path, method, host and
headers, balances them over upstream pools, and shows every request in a Qt
desktop app. Profiles are YAML files that can be versioned, checked, exported
to nginx and Kong, and run headless with `gatehouse serve`.]])
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# dpkg-shlibdeps finds the libraries the binary links; Qt loads the rest as plugins at run time:
# the platform plugins (xcb, wayland) for a window, and the SVG icon engine for the window icon.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(GATEHOUSE_BUILD_UI)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6svg6")
endif()
# `gatehouse ca --trust` uses update-ca-certificates and NSS's certutil when they are there.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates, libnss3-tools")

include(CPack)
