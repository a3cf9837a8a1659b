# CMake generated Testfile for 
# Source directory: /work/main/common/proto
# Build directory: /work/main/build/common/proto
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
