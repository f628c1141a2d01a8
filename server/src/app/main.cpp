#include "app/cli.hpp"

int main(int argc, char** argv) {
    return tessera::app::Main(argc, argv);
}
