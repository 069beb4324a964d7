// Kernel microbenchmark quoted in docs/performance.md; build with scripts/bench/micro/build.sh.
#include "ops/attention.h"
#include "ops/matmul.h"
#include "ops/shape_ops.h"
#include "ops/softmax.h"
#include "common/threads.h"
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <vector>
using namespace lt;
Var composed(const Var& q, const Var& k, const Var& v, const Tensor& mask, int H, float scale) {
  const int64_t B = q.dim(0), Tq = q.dim(1), Tk = k.dim(1), E = q.dim(2), dh = E / H;
  auto split = [&](const Var& x, int64_t T) { return ops::transpose(ops::reshape(x, Shape{B, T, H, dh}), {0, 2, 1, 3}); };
  Var s = ops::matmul(split(q, Tq), split(k, Tk), false, true, scale);
  Var o = ops::matmul(ops::softmax(s, mask), split(v, Tk));
  return ops::reshape(ops::transpose(o, {0, 2, 1, 3}), Shape{B, Tq, E});
}
int main(int argc,char**argv){ setThreads(argc>1?atoi(argv[1]):2);
  int64_t B=argc>3?atoi(argv[3]):128,T=argc>4?atoi(argv[4]):30,H=4,dh=argc>5?atoi(argv[5]):40,E=H*dh;
  Tensor q=Tensor::empty(Shape{B,T,E}),k=Tensor::empty(Shape{B,T,E}),v=Tensor::empty(Shape{B,T,E}),r=Tensor::empty(Shape{B,T,E});
  for(Tensor* t: {&q,&k,&v,&r}){float*x=t->data<float>(); for(int64_t i=0;i<t->elements();++i)x[i]=float((i*7919)%1000)/1000.f-0.5f;}
  Tensor mask=Tensor::zeros(Shape{B,1,1,T});
  int reps=argc>2?atoi(argv[2]):30;
  for(int fused=0; fused<2; ++fused) for (int withBwd=0; withBwd<2; ++withBwd){
    std::vector<double> ts;
    for(int i=0;i<reps;++i){
      Var vq(q,true),vk(k,true),vv(v,true);
      auto t0=std::chrono::steady_clock::now();
      Var y = fused? ops::attention(vq,vk,vv,mask,int(H),0.15f) : composed(vq,vk,vv,mask,int(H),0.15f);
      if (withBwd) backward(y, r); else clearTape();
      ts.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now()-t0).count());
    }
    std::sort(ts.begin(),ts.end());
    printf("%s %s %.3f ms\n", fused?"fused  ":"unfused", withBwd?"fwd+bwd":"fwd    ", ts[ts.size()/2]*1e3);
  }
}
