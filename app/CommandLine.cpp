#include <cstdio>

#include "app/Commands.h"

namespace gatehouse::app {

QString usageText()
{
    return QStringLiteral(
        "Usage:\n"
        "  gatehouse [PROFILE]                       open the desktop app on PROFILE and start the engine\n"
        "                                            (no display: runs headless, like serve)\n"
        "  gatehouse serve PROFILE [--quiet]         run the engine headless; JSON access log on stdout\n"
        "                                            SIGINT/SIGTERM drain and exit 0, SIGHUP reloads\n"
        "  gatehouse check PROFILE                   validate; prints ok, or FILE:LINE:COL: message\n"
        "  gatehouse export PROFILE --format yaml|nginx|kong [-o OUT]\n"
        "                                            write the profile as canonical YAML, an nginx config or\n"
        "                                            a Kong (decK 3.0) declarative config\n"
        "  gatehouse import FILE --from kong [-o OUT]\n"
        "                                            read a decK 3.0 file into a profile; what does not map is\n"
        "                                            one FILE:LINE:COL line each on stderr\n"
        "  gatehouse echo ADDR:PORT [--name NAME] [--delay 250ms] [--fail-rate 0.1]\n"
        "                                            a small upstream that answers with JSON about each request\n"
        "  gatehouse token PROFILE --jwt NAME [--claim k=v]... [--ttl 30m] [--alg ALG]\n"
        "                                            mint a test token with that JWT profile's secret or private_key\n"
        "                                            (sub dev-user, iss/aud from the profile, 1h; v may be JSON)\n"
        "  gatehouse secret set NAME | delete NAME    store (from stdin) or remove the OS keychain item\n"
        "                                            that keychain:NAME in a profile refers to\n"
        "  gatehouse ca [--export FILE|-]            show the local development CA (made on first use), or\n"
        "                                            write its certificate to FILE for a browser or trust store\n"
        "  gatehouse ca --trust | --untrust          add the CA to (remove it from) the NSS stores of Firefox and\n"
        "                                            Chromium and the system store (run as yourself: without root\n"
        "                                            it prints the sudo commands for the system store)\n"
        "  gatehouse --version | --help\n"
        "\n"
        "Exit codes: 0 ok, 1 invalid profile or usage, 2 runtime failure (e.g. port in use),\n"
        "3 ca --trust/--untrust could not change a trust store.\n");
}

void printError(const QString &message)
{
    std::fprintf(stderr, "gatehouse: %s\n", message.toLocal8Bit().constData());
    std::fflush(stderr);
}

} // namespace gatehouse::app
