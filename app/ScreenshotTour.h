#pragma once

class QString;

namespace gatehouse::ui {
class MainWindow;
}

namespace gatehouse::app {

// GATEHOUSE_SCREENSHOTS=DIR: after a few seconds of traffic (docs/screenshots/render.sh sends it),
// shows each page of the window in turn, saves it as DIR/NN-page.png and quits. Off unless set.
void startScreenshotTourFromEnvironment(ui::MainWindow &window);

} // namespace gatehouse::app
