// Kernel microbenchmark quoted in docs/performance.md; build with scripts/bench/micro/build.sh.
#include "kernels/matmul.h"
#include "tensor/tensor.h"
#include "common/threads.h"
#include <dnnl.h>
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <vector>
using namespace lt;
static double now(){return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();}
int main(){ setThreads(2);
  int sh[][3]={{256,512,512},{256,512,2048},{256,2048,512},{128,512,2048},{128,2048,512},{64,512,2048},{256,512,10000},{128,512,10000}};
  for(auto& s: sh){int M=s[0],K=s[1],N=s[2];
    Tensor a=Tensor::empty(Shape{M,K}), w=Tensor::empty(Shape{N,K}), c=Tensor::empty(Shape{M,N}), bias=Tensor::zeros(Shape{N});
    for(Tensor* t:{&a,&w}){float*x=t->data<float>();for(int64_t i=0;i<t->elements();++i)x[i]=float(i%7)*0.1f;}
    kernels::MatmulOptions o; o.transB=true;
    double best[2]={0,0};
    for(int rep=0;rep<3;++rep) for(int v=0;v<2;++v){
      auto f=[&]{ if(v==0) kernels::matmul(a,w,c,o,bias); else dnnl_sgemm('N','T',M,N,K,1.f,a.data<float>(),K,w.data<float>(),K,0.f,c.data<float>(),N);};
      for(int i=0;i<3;++i)f();
      int n=0;double t=now();while(now()-t<0.2){f();n++;}
      best[v]=std::max(best[v],2.0*M*K*N/((now()-t)/n)/1e9);
    }
    printf("%4d %5d %5d  primitive(NT,bias) %.1f  sgemm(NT) %.1f GFLOP/s\n",M,K,N,best[0],best[1]);
  }
}
