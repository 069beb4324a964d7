// Kernel microbenchmark quoted in docs/performance.md; build with scripts/bench/micro/build.sh.
#include "kernels/dropout.h"
#include "kernels/binary.h"
#include "tensor/tensor.h"
#include "common/threads.h"
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <vector>
using namespace lt;
int main(int argc,char**argv){ setThreads(argc>1?atoi(argv[1]):2);
  Tensor x=Tensor::empty(Shape{4096,160}), y=Tensor::empty(Shape{4096,160}), z=Tensor::empty(Shape{4096,160});
  float*p=x.data<float>(); for(int64_t i=0;i<x.elements();++i)p[i]=float(i%13);
  auto bench=[&](const char*name,auto f){ std::vector<double> ts; for(int r=0;r<50;++r){auto t0=std::chrono::steady_clock::now(); f(); ts.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now()-t0).count());} std::sort(ts.begin(),ts.end()); printf("%-20s %.3f ms\n",name,ts[ts.size()/2]*1e3);};
  bench("dropout fwd",[&]{kernels::dropoutForward(x,0.1f,7,3,y);});
  bench("dropout bwd acc",[&]{kernels::dropoutBackward(x,0.1f,7,3,y,true);});
  bench("copy",[&]{std::copy(p,p+x.elements(),z.data<float>());});
}
